export {
  AnalysisPool,
  type AnalysisPoolOptions,
  type ThreadAnalysis,
  type ThreadAnalysisOptions,
  type ThreadBudgets,
} from './analysis-pool';
