import type { SSTConfig } from "sst";

/**
 * SST v2 app. The stacks (storage, events, workflow, api, web) arrive with the deploy issue and
 * are built from the same definitions the local runtime runs: packages/core/src/definitions.
 */
export default {
  config() {
    return { name: "amelia", region: "us-east-1" };
  },
  stacks() {},
} satisfies SSTConfig;
