/** Stages whose data outlives `sst remove`; every other stage is removed with everything in it. */
const PRODUCTION_STAGES = ["prod", "production"];

export function isProductionStage(stage: string): boolean {
  return PRODUCTION_STAGES.includes(stage);
}
