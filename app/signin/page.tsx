import type { Metadata } from "next";

import { SignInButton } from "@/components/sign-in-button";
import { safeCallbackUrl, signInErrorMessage } from "@/lib/shared/sign-in";

export const metadata: Metadata = { title: "Sign in" };

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const callbackUrl = safeCallbackUrl(typeof params.callbackUrl === "string" ? params.callbackUrl : undefined);
  const error = typeof params.error === "string" ? signInErrorMessage(params.error) : null;
  return (
    <main id="main" className="signin">
      <div className="panel">
        <p className="brand" aria-hidden="true">
          Tenant<span>scope</span>
        </p>
        <h1>Sign in</h1>
        <p className="muted">Use your Genesys Cloud account. You will see the tenants your Genesys role gives you.</p>
        {error ? (
          <p className="banner bad" role="alert">
            {error}
          </p>
        ) : null}
        <SignInButton callbackUrl={callbackUrl} />
      </div>
    </main>
  );
}
