import { Script, createContext } from 'node:vm';
import { regExpProblem, WorkerErrorCode } from '@vulnscan/contracts';
import { CommandRejectedError } from '@vulnscan/messaging';

/**
 * A tenant's pattern runs in this shared process, and a backtracking one (`(a+)+$`) can take
 * longer than the universe on a 128-character tag; a page of tags gets this much time.
 */
export const TAG_FILTER_BUDGET_MS = 250;

const FILTER_PAGE = new Script('tags.filter((tag) => pattern.test(tag))');

interface Sandbox {
  pattern: RegExp;
  tags: readonly string[];
}

/** `tagFilter` of a schedule target: a JavaScript regular expression tested against tags only (unanchored, like RegExp.test). */
export class TagFilter {
  private readonly context: Sandbox;

  private constructor(
    readonly source: string,
    private readonly budgetMs: number,
  ) {
    this.context = createContext({ pattern: new RegExp(source), tags: [] }) as Sandbox;
  }

  /** Undefined when there is no filter; a CommandRejectedError (400) when the pattern does not compile. */
  static compile(source: string | undefined, budgetMs = TAG_FILTER_BUDGET_MS): TagFilter | undefined {
    if (source === undefined) return undefined;
    const problem = regExpProblem(source);
    if (problem) throw new CommandRejectedError(WorkerErrorCode.InvalidTarget, `target.tagFilter ${problem}`);
    return new TagFilter(source, budgetMs);
  }

  matches(tag: string): boolean {
    return this.select([tag]).length === 1;
  }

  /** The tags the pattern matches, in order; a CommandRejectedError (400) when one page takes longer than the budget. */
  select(tags: readonly string[]): string[] {
    this.context.tags = tags;
    try {
      // Copied out: the array belongs to the sandbox's realm.
      return [...(FILTER_PAGE.runInContext(this.context, { timeout: this.budgetMs }) as string[])];
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'ERR_SCRIPT_EXECUTION_TIMEOUT') throw error;
      const message = `target.tagFilter /${this.source}/ took longer than ${this.budgetMs} ms on ${tags.length} tags; simplify the pattern (nested quantifiers backtrack)`;
      throw new CommandRejectedError(WorkerErrorCode.InvalidTarget, message);
    } finally {
      this.context.tags = [];
    }
  }
}
