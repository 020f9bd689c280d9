"use client";

import { useState } from "react";

import { fetchOwnUserId } from "@/lib/client/access";

// "Copy a link for your administrator" on a refused division page: /access for this person and this division.
// The division id is read from the address bar and the person's id from their session, neither rendered by
// the server, so the refused page stays the same bytes for every id (it must not tell a real division from a
// made-up one) and names nobody. Ids only, nothing secret.

function adminLink(personId: string): string | null {
  const match = /^\/divisions\/([^/?#]+)/.exec(window.location.pathname);
  if (!match?.[1]) return null;
  const params = new URLSearchParams({ person: personId, division: decodeURIComponent(match[1]).toLowerCase() });
  return `${window.location.origin}/access?${params.toString()}`;
}

export function CopyAdminLinkButton() {
  const [link, setLink] = useState<string | null>(null);
  const [copied, setCopied] = useState<boolean | null>(null);
  return (
    <p>
      <button
        type="button"
        className="button"
        onClick={() => {
          void fetchOwnUserId()
            .then((personId) => {
              const next = adminLink(personId);
              setLink(next);
              return next ? navigator.clipboard.writeText(next).then(() => true) : false;
            })
            .then(setCopied, () => setCopied(false));
        }}
      >
        Copy a link for your administrator
      </button>
      {link ? (
        <>
          {" "}
          <span role="status">{copied === false ? "Copy this link:" : copied ? "Link copied:" : ""}</span> <code data-testid="admin-link">{link}</code>
        </>
      ) : null}
    </p>
  );
}
