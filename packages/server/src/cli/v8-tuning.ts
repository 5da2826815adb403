import { setFlagsFromString } from "node:v8";

/**
 * V8 settings for a long-running `tessera serve` process, applied before it starts listening.
 *
 * `--no-allocation-site-pretenuring`: under load, a refresh's objects live a few milliseconds,
 * long enough that some of them survive one young-generation collection. V8's pretenuring then
 * decides, for the allocation sites involved, to allocate straight into the old generation, where
 * that garbage waits for the next full collection. Whether it decides so depends on timing: in
 * about half of the bench's refresh runs it did, and the server's peak RSS was 224–237 MB instead
 * of 161–172 MB, with more CPU per request in full collections. Off, ten runs out of ten stayed at
 * 161–172 MB (bench/README.md, "Third round").
 *
 * Only the pretenuring heuristic changes, a flag V8 reads at each collection; an embedder that
 * runs `buildServer` in its own process keeps its own V8 settings.
 *
 * @example
 * tuneV8ForServing();
 */
export function tuneV8ForServing(): void {
  setFlagsFromString("--no-allocation-site-pretenuring");
}
