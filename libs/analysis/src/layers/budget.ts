import { type ImageBudgets, limitExceeded } from './limits';

/**
 * What one image has spent of its budgets so far, across all its layers. Every count only grows,
 * and each check is a comparison, so spending costs nothing next to the work it pays for.
 */
export class ImageBudget {
  private entries = 0;
  private pathBytes = 0;
  private steps = 0;

  constructor(private readonly budgets: ImageBudgets) {}

  /** One archive entry seen in layer `label`, with the bytes of its path and link target. */
  spendEntry(label: string, pathBytes: number): void {
    this.spendEntries(label, 1);
    this.pathBytes += pathBytes;
    if (this.pathBytes > this.budgets.maxImagePathBytes)
      throw limitExceeded(
        'maxImagePathBytes',
        label,
        `more than ${this.budgets.maxImagePathBytes} bytes of paths and link targets in the image`,
      );
  }

  /** Directories that an entry's path implied: they hold memory in the view like entries do. */
  spendImpliedDirectories(label: string, count: number): void {
    if (count > 0) this.spendEntries(label, count);
  }

  /** Symlink resolution steps; throws once the image has spent more than `maxSymlinkSteps`. */
  spendSymlinkSteps(count: number): void {
    this.steps += count;
    if (this.steps > this.budgets.maxSymlinkSteps)
      throw limitExceeded('maxSymlinkSteps', 'the image', `more than ${this.budgets.maxSymlinkSteps} symlink resolution steps`);
  }

  private spendEntries(label: string, count: number): void {
    this.entries += count;
    if (this.entries > this.budgets.maxImageEntries)
      throw limitExceeded(
        'maxImageEntries',
        label,
        `more than ${this.budgets.maxImageEntries} entries in the image, implied directories included`,
      );
  }
}
