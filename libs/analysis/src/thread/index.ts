export {
  AnalysisPool,
  type AnalysisPoolOptions,
  type ThreadAnalysis,
  type ThreadAnalysisOptions,
  type ThreadBudget,
  type ThreadBudgets,
} from './analysis-pool';
