/**
 * One measured pass of the analysis benchmark, in a process of its own so its peak RSS is its own:
 *   node analysis-run.js floor|sbom <mediaType>=<file> ...
 * floor: each layer decompressed and parsed by the same tar parser, every entry drained, nothing else.
 * sbom:  the worker's analysis (every analyzer, the overlay view) and the CycloneDX document.
 * Prints one JSON line.
 */
import { createReadStream } from 'node:fs';
import { Readable, pipeline } from 'node:stream';
import { extract } from 'tar-stream';
import { analyzeImage, buildSbom, defaultAnalyzers, exportSbom, layerTarBytes, pickOs } from '@vulnscan/analysis';

interface LayerArg {
  mediaType: string;
  file: string;
}

async function floor(layers: LayerArg[]): Promise<{ uncompressed_bytes: number; entries: number }> {
  let bytes = 0;
  let entries = 0;
  const counted = async function* (source: AsyncIterable<Buffer>) {
    for await (const chunk of source) {
      bytes += chunk.length;
      yield chunk;
    }
  };
  for (const [index, layer] of layers.entries()) {
    const tar = counted(
      layerTarBytes(createReadStream(layer.file, { highWaterMark: 1 << 20 }), layer.mediaType, {
        label: `layer ${index}`,
        maxLayerBytes: Number.MAX_SAFE_INTEGER,
        warn: () => undefined,
      }),
    );
    // The same plumbing as the walker (libs/analysis/src/layers/tar-walk.ts): bytes piped into tar-stream.
    const parser = extract();
    pipeline(Readable.from(tar, { objectMode: false }), parser, () => undefined);
    for await (const entry of parser) {
      entries++;
      for await (const _chunk of entry) {
        // drained, nothing else
      }
    }
  }
  return { uncompressed_bytes: bytes, entries };
}

async function sbom(
  layers: LayerArg[],
): Promise<{ packages: number; by_type: Record<string, number>; warnings: number; document_bytes: number }> {
  const image = layers.map((layer, index) => ({
    digest: `sha256:${String(index).padStart(64, '0')}`,
    mediaType: layer.mediaType,
    open: async () => createReadStream(layer.file, { highWaterMark: 1 << 20 }),
  }));
  const analysis = await analyzeImage(image, defaultAnalyzers());
  const document = buildSbom({
    image: {
      reference: 'bench/analysis:latest',
      manifestDigest: `sha256:${'f'.repeat(64)}`,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      platform: { os: 'linux', architecture: 'amd64' },
      layers: image.map(({ digest, mediaType }) => ({ digest, size: 0, mediaType })),
    },
    os: pickOs(analysis.osCandidates),
    packages: analysis.packages,
    analyzer: { name: 'vulnscan', version: 'bench' },
    warnings: analysis.warnings,
  });
  const exported = exportSbom(document, 'cyclonedx');
  const byType: Record<string, number> = {};
  for (const pkg of analysis.packages) byType[pkg.type] = (byType[pkg.type] ?? 0) + 1;
  return {
    packages: analysis.packages.length,
    by_type: byType,
    warnings: analysis.warnings.length,
    document_bytes: JSON.stringify(exported.document).length,
  };
}

async function main(): Promise<void> {
  const [mode, ...args] = process.argv.slice(2);
  const layers = args.map((arg) => {
    const at = arg.indexOf('=');
    return { mediaType: arg.slice(0, at), file: arg.slice(at + 1) };
  });
  const started = process.hrtime.bigint();
  const result = mode === 'floor' ? await floor(layers) : mode === 'sbom' ? await sbom(layers) : undefined;
  if (!result) throw new Error(`mode must be floor or sbom, not ${mode}`);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  console.log(JSON.stringify({ mode, ms: Math.round(ms), max_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024), ...result }));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
