import type { Package } from '../../model';
import { parseProperties } from './properties';

/** `META-INF/maven/<groupId>/<artifactId>/pom.properties`, which Maven writes into every archive it builds. */
export const POM_PROPERTIES = /^META-INF\/maven\/([^/]+)\/([^/]+)\/pom\.properties$/;

/**
 * The Maven artifact a pom.properties names. The file's own values win; the folder names
 * (written from the same values) stand in only for a missing groupId or artifactId. No
 * version, or an unresolved `${property}`, names no artifact.
 */
export function mavenPackage(entryName: string, text: string, path: string): Package | string {
  const folders = POM_PROPERTIES.exec(entryName);
  const props = parseProperties(text);
  const groupId = props.get('groupId')?.trim() || folders?.[1];
  const artifactId = props.get('artifactId')?.trim() || folders?.[2];
  const version = props.get('version')?.trim();
  if (!groupId || !artifactId || !version) return `${entryName} names no ${!version ? 'version' : 'groupId or artifactId'}`;
  if ([groupId, artifactId, version].some((v) => v.includes('${'))) {
    return `${entryName} has an unresolved property (${groupId}:${artifactId}:${version})`;
  }
  return { type: 'maven', namespace: groupId, name: artifactId, version, path };
}
