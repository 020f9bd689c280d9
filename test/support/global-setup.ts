import fs from "node:fs";
import os from "node:os";
import path from "node:path";

// The Genesys SDK reads and live-reloads ~/.genesyscloudjavascript/config, which can silently replace
// the gateway a test configured. Every test process gets an empty HOME of its own.
export default function setup(): () => void {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "tenantscope-home-"));
  const previous = process.env.HOME;
  process.env.HOME = home;
  return () => {
    process.env.HOME = previous;
    fs.rmSync(home, { recursive: true, force: true });
  };
}
