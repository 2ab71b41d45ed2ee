/**
 * The name a connected browser gets in the rater's list of browsers (dashboard, Connect a
 * browser): its brand and platform, as far as the user agent says. Kept apart from
 * background/connect.ts so the options page does not bundle the server client.
 */
export function describeBrowser(nav: { userAgent?: string; platform?: string } | undefined): string {
  const ua = nav?.userAgent ?? '';
  const brand = /Firefox\//.test(ua) ? 'Firefox' : /Edg\//.test(ua) ? 'Edge' : /Chrom(e|ium)\//.test(ua) ? 'Chrome' : 'Browser';
  const os = /Windows/.test(ua) ? 'Windows' : /Mac OS X|Macintosh/.test(ua) ? 'macOS' : /CrOS/.test(ua) ? 'ChromeOS' : /Android/.test(ua) ? 'Android' : /Linux/.test(ua) ? 'Linux' : '';
  return os ? `${brand} on ${os}` : brand;
}
