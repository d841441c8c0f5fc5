// Loaded into the CLI by tests (`node --import`, see runCli's killAt in cli.ts). The moment the CLI
// prints a line matching PO_TEST_FREEZE_ON (or PO_TEST_FREEZE_DELAY_MS later), it prints FROZEN_MARK
// and stops itself with SIGSTOP, so the test's SIGKILL lands at exactly that point of the run
// however fast or busy the machine is: no stage can slip past between the line and the kill.
import { isMainThread } from 'node:worker_threads';

// runCli (cli.ts) kills the process when it reads this.
const FROZEN_MARK = '[test hook] frozen';

const pattern = process.env.PO_TEST_FREEZE_ON;
// Worker threads inherit --import; only the main thread prints the progress lines.
if (isMainThread && pattern) {
  const trigger = new RegExp(pattern);
  const delayMs = Number(process.env.PO_TEST_FREEZE_DELAY_MS ?? '0');
  let armed = true;
  const freeze = () => {
    // Writes to a pipe are synchronous on Linux, so the test has the mark before the stop.
    process.stderr.write(`\n${FROZEN_MARK}\n`);
    process.kill(process.pid, 'SIGSTOP');
  };
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    stream.write = (/** @type {Parameters<typeof write>} */ ...args) => {
      const written = write(...args);
      if (armed && trigger.test(String(args[0]))) {
        armed = false;
        if (delayMs > 0) setTimeout(freeze, delayMs).unref();
        else freeze();
      }
      return written;
    };
  }
}
