// Preloaded into a worker to run its wall clock SKEW_CLOCK_MS off (negative = behind),
// as on a host whose clock drifted. Monotonic clocks are left alone, as they are
// on a real host.
const skew = Number(process.env.SKEW_CLOCK_MS ?? 0);
const RealDate = Date;

class SkewedDate extends RealDate {
  constructor(...args: unknown[]) {
    if (args.length === 0) super(RealDate.now() + skew);
    else super(...(args as [string]));
  }

  static override now(): number {
    return RealDate.now() + skew;
  }
}

globalThis.Date = SkewedDate as DateConstructor;
