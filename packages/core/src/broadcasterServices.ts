import { documentClient, dynamoClient } from "./aws/clients";
import { readConfig } from "./config";
import { Broadcaster } from "./realtime/Broadcaster";
import { Connections } from "./realtime/Connections";
import { ConnectionStore } from "./store/ConnectionStore";
import { EventReader } from "./store/EventReader";

let cached: Broadcaster | undefined;

/**
 * The broadcaster's wiring, apart from `services()`: it is on the path of every event, so its
 * bundle holds only the DynamoDB and `@connections` clients it uses.
 */
export function broadcaster(): Broadcaster {
  if (!cached) {
    const config = readConfig();
    cached = new Broadcaster(
      new Connections(config.wsManagementEndpoint),
      new ConnectionStore(documentClient(), config.tableName),
      new EventReader(dynamoClient(), config.tableName),
    );
  }
  return cached;
}
