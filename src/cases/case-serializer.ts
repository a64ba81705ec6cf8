/** Runs work on one case one at a time in this process (the wallet's answer, a clerk's decision), in arrival order. */
export class CaseSerializer {
  private readonly tails = new Map<string, Promise<unknown>>()

  run<T>(caseId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(caseId) ?? Promise.resolve()
    const next = previous.catch(() => undefined).then(work)
    this.tails.set(caseId, next)
    void next
      .finally(() => {
        if (this.tails.get(caseId) === next) this.tails.delete(caseId)
      })
      .catch(() => undefined)
    return next
  }
}
