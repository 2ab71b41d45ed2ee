/** Types of bin/build-server.js (plain JavaScript, so it runs before anything is built). */
export declare const ROOT: string;
export declare const DIST: string;
/** Builds dist/groundtruth.js (and its map and assets) from the sources, replacing dist/ at once. */
export declare function buildServer(): Promise<void>;
