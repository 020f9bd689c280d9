import "server-only";

// The access explorer (/access, admins only): why a person can or cannot see a tenant, and who can see one.

export { explainAccess, fixOf, verdictOf } from "./explain";
export { accessReviewCsv, ACCESS_REVIEW_HEADER } from "./export";
export { assertUserId } from "./grants";
export { describePerson, searchPeople } from "./people";
export { divisionViewers } from "./viewers";
