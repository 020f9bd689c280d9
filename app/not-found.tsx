import { NotFoundPanel } from "@/components/not-found-panel";

export default function NotFound() {
  return (
    <main id="main">
      <NotFoundPanel />
    </main>
  );
}
