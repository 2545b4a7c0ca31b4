#!/usr/bin/env node
// The `xdpfeed` executable: xdpfeed runs from its TypeScript sources through tsx.
import { register } from "tsx/esm/api";

register();
await import("./cli/main.ts");
