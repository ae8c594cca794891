import { ScanError, ScanErrorCode } from '@vulnscan/contracts';

/**
 * The target of the `rel="next"` link in a `Link` header (RFC 8288), as written (possibly
 * relative); undefined when there is none. Node joins repeated headers with ", ", and one value
 * may hold several links, so commas only separate links outside `<…>` and quoted strings.
 */
export function nextLinkTarget(header: string | readonly string[] | undefined): string | undefined {
  const text = Array.isArray(header) ? header.join(', ') : ((header as string | undefined) ?? '');
  for (const link of splitLinks(text)) {
    const match = /^\s*<([^>]*)>(.*)$/s.exec(link);
    if (!match) continue;
    const [, target, params] = match;
    if (relations(params!).includes('next')) return target!.trim();
  }
  return undefined;
}

/**
 * The path (with query) of the next page, for a page fetched from `pageUrl`. A next link may be
 * relative or absolute, but must stay on the registry's origin and API: the registry's
 * credentials go with every page, so a link elsewhere is refused rather than followed.
 */
export function nextPagePath(header: string | readonly string[] | undefined, pageUrl: URL, where: string): string | undefined {
  const target = nextLinkTarget(header);
  if (target === undefined) return undefined;
  let next: URL;
  try {
    next = new URL(target, pageUrl);
  } catch {
    throw new ScanError(ScanErrorCode.Internal, `${where}: the registry's Link header names an invalid next page "${shorten(target)}"`);
  }
  if (next.origin !== pageUrl.origin) {
    throw new ScanError(
      ScanErrorCode.HostNotAllowed,
      `${where}: refusing the next page at ${next.origin}, a different origin than ${pageUrl.origin} (Link: <${shorten(target)}>)`,
    );
  }
  // Also rules out "//host/…", which would name another host once resolved against the registry again.
  if (!next.pathname.startsWith('/v2/')) {
    throw new ScanError(ScanErrorCode.Internal, `${where}: the registry's next page "${shorten(target)}" is outside its /v2/ API`);
  }
  return `${next.pathname}${next.search}`;
}

function splitLinks(text: string): string[] {
  const links: string[] = [];
  let start = 0;
  let inTarget = false;
  let inQuotes = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inQuotes) {
      if (c === '\\') i++;
      else if (c === '"') inQuotes = false;
    } else if (inTarget) {
      if (c === '>') inTarget = false;
    } else if (c === '<') {
      inTarget = true;
    } else if (c === '"') {
      inQuotes = true;
    } else if (c === ',') {
      links.push(text.slice(start, i));
      start = i + 1;
    }
  }
  links.push(text.slice(start));
  return links;
}

/** The relation types of one link's `rel` parameter: space-separated, case-insensitive, quoted or not. */
function relations(params: string): string[] {
  const rel = /;\s*rel\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s"]+))/i.exec(params);
  const value = rel?.[1] ?? rel?.[2];
  return value ? value.toLowerCase().split(/\s+/).filter(Boolean) : [];
}

function shorten(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
