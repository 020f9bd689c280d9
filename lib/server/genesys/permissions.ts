import "server-only";

/** The Genesys permission that lets an identity list a division's users: the BFF's and each manager's. */
export const DIRECTORY_USER_VIEW = "directory:user:view";

/** Reading a person's grants (GET /api/v2/authorization/subjects/{id}): the access explorer's person view. */
export const GRANT_VIEW = "authorization:grant:view";
