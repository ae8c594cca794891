export { analyzeImage, type AnalyzeImageOptions, type ImageAnalysis, type ImageLayer, type ParseEvent } from './analyze-image';
export { compressionOfBytes, compressionOfMediaType, layerTarBytes, type Compression } from './decompress';
export { ImageBudget } from './budget';
export { ImageView, type ApplyOutcome, type Resolution, type StepMeter, type SymlinkProblem, type ViewEntry } from './image-view';
export {
  DEFAULT_ANALYSIS_LIMITS,
  DEFAULT_IMAGE_BUDGETS,
  DEFAULT_LAYER_LIMITS,
  LayerLimitError,
  analysisLimits,
  layerLimits,
  type AnalysisLimits,
  type ImageBudgets,
  type LayerLimits,
  type LimitName,
} from './limits';
export { normalizeLayerPath } from './paths';
export { walkLayer, type LayerEntry, type LayerEntryType, type WalkLayerOptions } from './tar-walk';
