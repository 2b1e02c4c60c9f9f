import { documentClient, eventBridgeClient } from "./aws/clients";
import { EventPublisher } from "./aws/EventPublisher";
import { Subscriptions } from "./realtime/Subscriptions";
import { ConnectionStore } from "./store/ConnectionStore";
import { stores } from "./storeServices";

let publisher: EventPublisher | undefined;
let cachedSubscriptions: Subscriptions | undefined;

/** The bus every recorded event is published to. */
export function eventPublisher(): EventPublisher {
  const { config } = stores();
  publisher ??= new EventPublisher(eventBridgeClient(), config.eventBusName);
  return publisher;
}

/** The WebSocket routes' connections and subscriptions: the table and the bus, nothing more. */
export function subscriptions(): Subscriptions {
  const { config, workflowStore } = stores();
  cachedSubscriptions ??= new Subscriptions(
    new ConnectionStore(documentClient(), config.tableName),
    workflowStore,
    eventPublisher(),
  );
  return cachedSubscriptions;
}
