/**
 * The reference's `CompletedStopping` (docs/method.md#training): counts epochs whose fused training accuracy is exactly 100.0 %;
 * the count is cumulative (never reset by a worse epoch) and training stops once it reaches `patience`
 * (0 disables stopping).
 *
 * @example
 * const stop = new CompletedStopping(5);
 * stop.update(100); // false until the fifth epoch at 100 %
 */
export class CompletedStopping {
  constructor(
    readonly patience: number,
    public count = 0,
  ) {}

  /** Records one epoch's fused train accuracy (percent); returns whether training should stop now. */
  update(trainAcc: number): boolean {
    if (trainAcc === 100) this.count += 1;
    return this.shouldStop();
  }

  shouldStop(): boolean {
    return this.patience > 0 && this.count >= this.patience;
  }
}
