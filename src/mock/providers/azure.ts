import { type AuthConfig, type AuthInput, bearer, checkKey, header, type MockCall, type MockProvider, statusText } from '../provider.js';
import { jsonReply, type Reply } from '../reply.js';
import { chatCompletion, embeddings, textCompletion } from './openai.js';
import { responsesRoutes } from './openai-responses.js';
import { openAIApiRoutes } from './openai-apis.js';

/**
 * Azure OpenAI: /openai/deployments/{deployment}/{chat/completions|completions|embeddings}?api-version=…
 * Same bodies as OpenAI; the deployment names the model when the body has none. Images and audio
 * under the deployment, files/batches/videos at /openai/{files,batches,videos}. Auth: `api-key`
 * header (or `Authorization: Bearer` for Entra ID tokens). A missing api-version is Azure's 404.
 * The Responses API lives at /openai/responses (and /openai/v1/responses).
 */

function azureError(status: number, message: string): Reply {
  return jsonReply(status, { error: { code: String(status), message } });
}

function authenticate(req: AuthInput, { requireKey }: AuthConfig): Reply | undefined {
  const key = (header(req.headers, 'api-key') ?? '').trim() || bearer(req.headers);
  return checkKey(key, requireKey, () =>
    azureError(
      401,
      'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.',
    ),
  );
}

function dispatch(c: MockCall): Reply {
  if (!c.query.get('api-version')) return azureError(404, 'Resource not found');
  const [deployment, op] = c.params;
  if (op === 'chat/completions') return chatCompletion(c.body, deployment, azureError);
  if (op === 'completions') return textCompletion(c.body, deployment, azureError);
  return embeddings(c.body, deployment, c.settings, azureError);
}

export const azure: MockProvider = {
  name: 'azure',
  base: '/openai/deployments/{deployment}',
  authenticate,
  error: (status, message) => azureError(status, message || statusText(status)),
  routes: [
    { method: 'POST', pattern: /^\/openai\/deployments\/([^/]+)\/(chat\/completions|completions|embeddings)$/, handle: dispatch },
    // the Responses API: /openai/responses?api-version=… and the v1 API's /openai/v1/responses (the deployment is the body's model)
    ...responsesRoutes('\\/openai(?:\\/v1)?', azureError),
    // images and audio under the deployment (it names the model); files, batches and videos on the account
    ...openAIApiRoutes('\\/openai', '\\/openai\\/deployments\\/([^/]+)', azureError, (c) => (c.query.get('api-version') ? undefined : azureError(404, 'Resource not found'))),
  ],
};
