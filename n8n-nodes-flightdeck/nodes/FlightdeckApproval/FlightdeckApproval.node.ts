import type {
  IDataObject,
  IExecuteFunctions,
  INodeExecutionData,
  INodeType,
  INodeTypeDescription,
  IWebhookFunctions,
  IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';
import {
  ApprovalInputError,
  buildRegistration,
  nodeResumeUrl,
  readDecision,
  RESUME_TOKEN_PARAM,
  resumeUrlIsSigned,
  routeDecision,
  WAIT_INDEFINITELY,
  type ApprovalParameters,
  type OutputMode,
} from '../../shared/approval';
import { ConsoleError, consoleCredentials, postSigned, type ConsoleCredentials } from '../../shared/console-client';
import { resumeToken, sameText } from '../../shared/protocol';

/**
 * "Flightdeck: Request Approval": registers the execution with the console's inbox (signed
 * `POST /approvals`, marked as this node's), then waits with n8n's own wait/resume mechanism
 * (the wait is stored in n8n's database, so it survives restarts). The console POSTs the decision
 * to this node's resume URL; the workflow continues on the Approved or Rejected output.
 */
export class FlightdeckApproval implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'Flightdeck: Request Approval',
    name: 'flightdeckApproval',
    icon: 'file:flightdeck.svg',
    group: ['transform'],
    version: 1,
    subtitle: 'waits for Flightdeck',
    description: 'Ask an operator in the Flightdeck console and wait for the decision',
    defaults: { name: 'Request Approval' },
    inputs: [NodeConnectionTypes.Main],
    // Two outputs by default; one (the decision in the data) where n8n resumes on the first output only.
    outputs: `={{ $parameter["decisionOutputs"] === "oneOutput" ? [{ "type": "main", "displayName": "Decision" }] : [{ "type": "main", "displayName": "Approved" }, { "type": "main", "displayName": "Rejected" }] }}`,
    credentials: [{ name: 'flightdeckApi', required: true }],
    webhooks: [
      {
        name: 'default',
        httpMethod: 'POST',
        responseMode: 'onReceived',
        responseData: '',
        // /webhook-waiting/<execution id>/<this node's id>: a decision resumes this node only.
        path: '={{ $nodeId }}',
        restartWebhook: true,
        isFullPath: true,
      },
    ],
    properties: [
      {
        displayName:
          'The execution waits until an operator decides in the Flightdeck inbox (or the expiry decides); n8n keeps the wait across restarts. One request per execution, from the first item.',
        name: 'waitNotice',
        type: 'notice',
        default: '',
      },
      {
        displayName: 'Title',
        name: 'title',
        type: 'string',
        required: true,
        default: '',
        placeholder: 'e.g. Refund {{ $json.amount }} EUR to {{ $json.customer }}',
        description: 'One line the operator reads in the inbox',
      },
      {
        displayName: 'Summary',
        name: 'summary',
        type: 'string',
        typeOptions: { rows: 3 },
        default: '',
        description: 'What the operator should know to decide (shown in the detail pane)',
      },
      {
        displayName: 'Fields to Show',
        name: 'fields',
        type: 'fixedCollection',
        typeOptions: { multipleValues: true, sortable: true },
        placeholder: 'Add Field',
        default: {},
        description:
          "Values the operator sees beside the title; the console's auto-approval rules can test them (e.g. amount < 100)",
        options: [
          {
            displayName: 'Field',
            name: 'field',
            values: [
              { displayName: 'Name', name: 'name', type: 'string', default: '', placeholder: 'e.g. amount' },
              {
                displayName: 'Value',
                name: 'value',
                type: 'string',
                default: '',
                placeholder: 'e.g. {{ $json.amount }}',
                description: 'Numbers and true/false from an expression are kept as such',
              },
            ],
          },
        ],
      },
      {
        displayName: 'Priority',
        name: 'priority',
        type: 'number',
        typeOptions: { minValue: 0, maxValue: 9, numberPrecision: 0 },
        default: 5,
        description: 'From 0 (most urgent) to 9; 0–2 count as high priority in the console (badge, notification)',
      },
      {
        displayName: 'Expire After',
        name: 'expireAfter',
        type: 'number',
        typeOptions: { minValue: 0 },
        default: 0,
        description:
          'Undecided after this long, the console takes the action below (also when it was closed: at its next start). 0: never.',
      },
      {
        displayName: 'Expire Unit',
        name: 'expireUnit',
        type: 'options',
        displayOptions: { hide: { expireAfter: [0] } },
        options: [
          { name: 'Minutes', value: 'minutes' },
          { name: 'Hours', value: 'hours' },
          { name: 'Days', value: 'days' },
        ],
        default: 'hours',
      },
      {
        displayName: 'On Expiry',
        name: 'onExpiry',
        type: 'options',
        displayOptions: { hide: { expireAfter: [0] } },
        options: [
          { name: 'Reject', value: 'reject', description: 'Continue on the Rejected output' },
          { name: 'Approve', value: 'approve', description: 'Continue on the Approved output' },
        ],
        default: 'reject',
      },
      {
        displayName: 'Outputs',
        name: 'decisionOutputs',
        type: 'options',
        options: [
          {
            name: 'Approved and Rejected',
            value: 'twoOutputs',
            description: 'Two outputs (needs n8n 2.x: n8n 1.x resumes a waiting node on its first output only)',
          },
          {
            name: 'One Output',
            value: 'oneOutput',
            description: 'One output with the decision in the data (any n8n): route with an If on {{ $json.approved }}',
          },
        ],
        default: 'twoOutputs',
      },
      {
        displayName: 'Options',
        name: 'options',
        type: 'collection',
        placeholder: 'Add Option',
        default: {},
        options: [
          {
            displayName: 'Due',
            name: 'dueAt',
            type: 'dateTime',
            default: '',
            description: 'When the operator should have decided by (shown in the inbox; nothing happens then)',
          },
          {
            displayName: 'Allowed Approvers',
            name: 'allowedUsers',
            type: 'string',
            default: '',
            placeholder: 'e.g. ana, bob',
            description:
              'Flightdeck user names who may decide, separated by commas (team mode). With an allowed role too, either may decide.',
          },
          {
            displayName: 'Allowed Role',
            name: 'allowedRole',
            type: 'options',
            default: '',
            options: [
              { name: 'Anyone Who May Approve', value: '' },
              { name: 'Approver or Higher', value: 'approver' },
              { name: 'Editor or Higher', value: 'editor' },
              { name: 'Admin', value: 'admin' },
            ],
            description: 'Only Flightdeck accounts with at least this role may decide (team mode)',
          },
        ],
      },
    ],
  };

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    const items = this.getInputData();
    const node = this.getNode();
    const fail = (error: unknown): never => {
      if (error instanceof ApprovalInputError) throw new NodeOperationError(node, error.message, { itemIndex: 0 });
      if (error instanceof ConsoleError) throw new NodeOperationError(node, error.message);
      throw error;
    };
    let credentials: ConsoleCredentials = { url: '', secret: '' };
    try {
      credentials = consoleCredentials(await this.getCredentials('flightdeckApi'));
    } catch (error) {
      fail(error);
    }
    const mode = this.getNodeParameter('decisionOutputs', 0, 'twoOutputs') as OutputMode;
    const executionResumeUrl = String(this.evaluateExpression('{{ $execution.resumeUrl }}', 0));
    if (mode === 'twoOutputs' && !resumeUrlIsSigned(executionResumeUrl)) {
      throw new NodeOperationError(node, 'This n8n would resume the Rejected output on the Approved one', {
        description:
          'n8n 1.x continues a node that waited on its first output only (n8n issue #12823, fixed in 2.x), so a ' +
          'rejection could never reach the Rejected output. Set Outputs to "One Output" and route with an If node ' +
          'on {{ $json.approved }}. Nothing was sent to Flightdeck.',
      });
    }
    const executionId = this.getExecutionId();
    const resumeUrl = nodeResumeUrl(executionResumeUrl, node.id, resumeToken(credentials.secret, executionId, node.id));
    const options = this.getNodeParameter('options', 0, {}) as IDataObject;
    const fieldRows = (this.getNodeParameter('fields', 0, {}) as { field?: ApprovalParameters['fields'] }).field;
    let body: Record<string, unknown> = {};
    try {
      body = buildRegistration(
        {
          title: String(this.getNodeParameter('title', 0)),
          summary: String(this.getNodeParameter('summary', 0, '')),
          fields: fieldRows ?? [],
          priority: Number(this.getNodeParameter('priority', 0, 5)),
          dueAt: typeof options.dueAt === 'string' ? options.dueAt : undefined,
          expireAfter: Number(this.getNodeParameter('expireAfter', 0, 0)),
          expireUnit: this.getNodeParameter('expireUnit', 0, 'hours') as ApprovalParameters['expireUnit'],
          onExpiry: this.getNodeParameter('onExpiry', 0, 'reject') as ApprovalParameters['onExpiry'],
          allowedUsers: typeof options.allowedUsers === 'string' ? options.allowedUsers : undefined,
          allowedRole: typeof options.allowedRole === 'string' ? options.allowedRole : undefined,
        },
        {
          executionId,
          resumeUrl,
          workflowId: this.getWorkflow().id,
          ...(credentials.instanceId
            ? { instanceId: credentials.instanceId }
            : { instanceUrl: this.getInstanceBaseUrl() }),
        },
      );
    } catch (error) {
      fail(error);
    }
    const answer = await postSigned(this.helpers.httpRequest, credentials, 'approvals', JSON.stringify(body)).catch(
      fail,
    );
    const status = answer.json.status;
    const approvalId = typeof answer.json.id === 'number' ? answer.json.id : null;
    if (status === 'approved' || status === 'rejected') {
      // Decided as it arrived (an auto-approval rule), or before this registration was repeated:
      // continue now. Waiting would miss the decision, which the console sent (or sends) while this
      // execution is still running.
      const approved = status === 'approved';
      const decision = {
        approved,
        decision: status,
        comment:
          answer.json.created === true
            ? 'Decided by the Flightdeck console as the request arrived (an auto-approval rule).'
            : 'Decided in the Flightdeck console before this request was repeated.',
        decidedBy: null,
        decidedAt: new Date().toISOString(),
        approvalId,
      };
      return routeDecision(mode, approved, [{ json: decision, pairedItem: { item: 0 } }]);
    }
    if (status !== 'pending') {
      throw new NodeOperationError(node, `The Flightdeck inbox already closed this approval (${String(status)}).`);
    }
    await this.putExecutionToWait(WAIT_INDEFINITELY);
    return routeDecision(mode, true, items);
  }

  /**
   * The console's decision arrives here: `POST <resume URL>` with {approved, comment, decidedBy}.
   * Never throws: after a webhook error n8n records the error and still runs the execution on
   * (with an empty item on the first output), so every refusal is an answer and the execution
   * keeps waiting.
   */
  async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
    const res = this.getResponseObject();
    const refuse = (status: number, message: string): IWebhookResponseData => {
      res.status(status).json({ ok: false, error: { message } });
      // No workflowData: the execution keeps waiting for a proper decision.
      return { noWebhookResponse: true };
    };
    try {
      const node = this.getNode();
      const credentials = consoleCredentials(await this.getCredentials('flightdeckApi'));
      const query = this.getQueryData() as Record<string, unknown>;
      const token = query[RESUME_TOKEN_PARAM];
      const expected = resumeToken(credentials.secret, this.getExecutionId(), node.id);
      if (typeof token !== 'string' || !sameText(token, expected)) {
        return refuse(403, 'This resume URL was not issued for this execution by the Flightdeck node.');
      }
      const decision = readDecision(this.getBodyData(), new Date());
      if (!decision) return refuse(400, 'Send {"approved": true|false, "comment": "…", "decidedBy": "…"} as JSON.');
      const mode = this.getNodeParameter('decisionOutputs', 'twoOutputs') as OutputMode;
      return {
        webhookResponse: { ok: true, decision: decision.decision },
        workflowData: routeDecision(mode, decision.approved, [{ json: { ...decision }, pairedItem: { item: 0 } }]),
      };
    } catch (error) {
      // A 5xx: the console keeps the decision owed and sends it again later.
      return refuse(500, `The Flightdeck node could not take the decision: ${(error as Error).message}`);
    }
  }
}
