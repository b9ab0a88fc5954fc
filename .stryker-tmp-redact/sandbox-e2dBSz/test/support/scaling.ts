/**
 * How much longer `run` takes on one input `factor` times larger than on `factor` inputs of the base size:
 * about 1 to 2.5 for linear work (more of a large input stays alive through garbage collections) and about
 * `factor` for quadratic work, however fast the machine is. Each side is the best of a few interleaved
 * rounds, so a pause elsewhere on the machine does not decide it.
 */
// @ts-nocheck

export function superlinearity(run: (size: number) => void, size: number, factor = 8, rounds = 5): number {
  // CPU time, not wall time: on a busy machine the time other processes take is not counted.
  const cpu = () => {
    const { user, system } = process.cpuUsage();
    return user + system;
  };
  const time = (work: () => void) => {
    const start = cpu();
    work();
    return cpu() - start;
  };
  const small = () => {
    for (let i = 0; i < factor; i++) run(size);
  };
  const large = () => run(size * factor);
  small(); // warm-up: the first calls include compilation
  let bestSmall = Infinity;
  let bestLarge = Infinity;
  const started = performance.now();
  // Quadratic code would make every round slow: after a second, the rounds so far decide.
  for (let round = 0; round < rounds && (round === 0 || performance.now() - started < 1000); round++) {
    bestSmall = Math.min(bestSmall, time(small));
    bestLarge = Math.min(bestLarge, time(large));
  }
  return bestLarge / bestSmall;
}
