// Types for seedrandom's alea module, imported on its own so that loading the core
// package does not load seedrandom's other generators or node:crypto.
declare module "seedrandom/lib/alea.js" {
  interface AleaState {
    readonly c: number;
    readonly s0: number;
    readonly s1: number;
    readonly s2: number;
  }
  interface AleaPrng {
    (): number;
    state(): AleaState;
  }
  function alea(seed: string, options?: { state?: boolean | AleaState }): AleaPrng;
  export default alea;
}
