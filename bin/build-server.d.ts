/** Types of bin/build-server.js (plain JavaScript, so it runs before anything is built). */
export declare const ROOT: string;
export declare const DIST: string;
/** Builds dist/groundtruth.js (and its map and assets) from the sources, replacing dist/ at once. */
export declare function buildServer(): Promise<void>;
/** Builds dist/embed.js and dist/embed.js.map (the embeddable widget) into `outdir` (default dist/). */
export declare function buildEmbed(outdir?: string): Promise<void>;
