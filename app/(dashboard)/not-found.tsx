import { NotFoundPanel } from "@/components/not-found-panel";

// notFound() inside a dashboard page renders here, within the dashboard layout's <main>.
export default function DashboardNotFound() {
  return <NotFoundPanel />;
}
