import fc from "fast-check";

// Property tests run with a fixed seed so that CI is reproducible; set FC_SEED to explore others.
fc.configureGlobal({ seed: Number(process.env.FC_SEED ?? 20261125) });
