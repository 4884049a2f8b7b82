/**
 * Workflow builders shared by e2e files: the shapes several cases import into a real n8n.
 */
'use strict';

/**
 * Webhook (POST /webhook/<webhookPath>, answers on receipt) → Split Out (`body.<field>`: one item per
 * array element) → one Soku node (version, parameters and credentials as given).
 */
function webhookSplitSoku({ id, name, webhookPath, field, splitName, soku }) {
  return {
    id,
    name,
    active: false,
    settings: { executionOrder: 'v1', saveManualExecutions: true },
    nodes: [
      {
        id: `${id}-webhook`,
        name: 'Webhook',
        type: 'n8n-nodes-base.webhook',
        typeVersion: 2,
        position: [0, 0],
        webhookId: `${id}-hook`,
        parameters: { httpMethod: 'POST', path: webhookPath, responseMode: 'onReceived', options: {} },
      },
      {
        id: `${id}-split`,
        name: splitName,
        type: 'n8n-nodes-base.splitOut',
        typeVersion: 1,
        position: [240, 0],
        parameters: { fieldToSplitOut: `body.${field}`, options: {} },
      },
      {
        id: `${id}-soku`,
        name: soku.name,
        type: 'n8n-nodes-soku.soku',
        typeVersion: soku.typeVersion,
        position: [480, 0],
        parameters: soku.parameters,
        credentials: soku.credentials,
      },
    ],
    connections: {
      Webhook: { main: [[{ node: splitName, type: 'main', index: 0 }]] },
      [splitName]: { main: [[{ node: soku.name, type: 'main', index: 0 }]] },
    },
  };
}

module.exports = { webhookSplitSoku };
