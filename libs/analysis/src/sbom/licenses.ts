import parseSpdxExpression from 'spdx-expression-parse';

type SpdxNode = parseSpdxExpression.Info;

/**
 * One SPDX license expression covering all of a package's declared licenses (all of them apply,
 * so they are joined with AND), or undefined when any of them is not a valid SPDX expression.
 * Package managers record free text (`GPL2+`, `BSD`, `custom`), which must never be passed off as
 * an SPDX identifier.
 */
export function spdxExpressionOf(licenses: readonly string[] | undefined): string | undefined {
  const declared = [...new Set((licenses ?? []).map((license) => license.trim()).filter(Boolean))];
  if (declared.length === 0) return undefined;
  const nodes = declared.map(parseOrUndefined);
  if (nodes.some((node) => node === undefined || !listedOnly(node))) return undefined;
  if (declared.length === 1) return declared[0];
  return declared.map((license, i) => (isCompound(nodes[i]) ? `(${license})` : license)).join(' AND ');
}

function parseOrUndefined(expression: string): SpdxNode | undefined {
  try {
    return parseSpdxExpression(expression);
  } catch {
    return undefined;
  }
}

/**
 * LicenseRef-/DocumentRef- identifiers parse, but an SPDX document must then define them in
 * hasExtractedLicensingInfos, which we have no text for; so only listed licenses count.
 */
function listedOnly(node: SpdxNode): boolean {
  if ('conjunction' in node) return listedOnly(node.left) && listedOnly(node.right);
  return !/^(LicenseRef|DocumentRef)-/.test(node.license);
}

function isCompound(node: SpdxNode | undefined): boolean {
  return node !== undefined && 'conjunction' in node;
}
