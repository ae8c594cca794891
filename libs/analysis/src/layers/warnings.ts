/**
 * Collects warnings for a scan report. Capped: a crafted image with a million escaping links must
 * not turn the report into a million lines.
 */
export class WarningLog {
  private readonly kept: string[] = [];
  private dropped = 0;

  constructor(private readonly cap = 1000) {}

  readonly add = (message: string): void => {
    if (this.kept.length < this.cap) this.kept.push(message);
    else this.dropped++;
  };

  list(): string[] {
    return this.dropped === 0 ? [...this.kept] : [...this.kept, `${this.dropped} more warnings not shown`];
  }
}
