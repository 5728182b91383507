/** A step's failure, with a diff when messages differed. */
export class StepFailure extends Error {
  constructor(
    message: string,
    readonly diff?: string,
  ) {
    super(message);
  }
}
