export { analyzeImage, type AnalyzeImageOptions, type ImageAnalysis, type ImageLayer, type ParseEvent } from './analyze-image';
export { compressionOfBytes, compressionOfMediaType, layerTarBytes, type Compression } from './decompress';
export { ImageView, type ApplyOutcome, type Resolution, type SymlinkProblem, type ViewEntry } from './image-view';
export { DEFAULT_LAYER_LIMITS, LayerLimitError, layerLimits, type LayerLimits } from './limits';
export { normalizeLayerPath } from './paths';
export { walkLayer, type LayerEntry, type LayerEntryType, type WalkLayerOptions } from './tar-walk';
