/**
 * vitest globalSetup of both runs: builds dist/groundtruth.js from the sources as they are now
 * (about a second), so every test that starts the server or the CLI through bin/groundtruth.js
 * runs the compiled build that `npm start` runs, not a stale one and not tsx (issue 19, ADR 0043).
 */
import { buildServer } from '../../bin/build-server.js';

export default async function setup() {
  await buildServer();
}
