"use client";

import dynamic from "next/dynamic";

// The refused page's "Copy a link for your administrator", loaded only when a refused page shows it: the
// division route's bundle holds its 403 page, so a static import put the button and the access explorer's
// client code (3.7 kB gzip) into the first-load JavaScript of every division page. It needs the browser (the
// address bar, the session) anyway, so it is not rendered on the server.
export const CopyAdminLink = dynamic(() => import("./copy-admin-link-button").then((m) => m.CopyAdminLinkButton), { ssr: false });
