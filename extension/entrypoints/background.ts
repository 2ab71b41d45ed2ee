export default defineBackground(() => {
  // Filled by the extension issue: outbox sync, alarms, messaging.
});
