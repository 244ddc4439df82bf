/** The tutorial's state file (an AI route behind key-auth, with a consumer, a group and a rate limit), written for these tests. */
export const TOKEN = 'kpat_TutorialToken0123456789abcdef';

export const KONG_AI = `_format_version: "3.0"
services:
  - name: llm-service
    url: http://llm.internal:8080/v1
    tags: [ai]
    routes:
      - name: openai-chat
        paths: [/openai]
        tags: [ai]
        plugins:
          - name: ai-proxy
            config:
              route_type: llm/v1/chat
              auth:
                header_name: Authorization
                header_value: Bearer {vault://env/openai-key}
              model:
                provider: openai
                name: gpt-4o
          - name: key-auth
            config:
              key_names: [apikey]
          - name: rate-limiting
            config:
              minute: 60
              policy: local
upstreams:
  - name: llm-pool
    targets:
      - target: 10.0.0.1:8080
      - target: 10.0.0.2
consumer_groups:
  - name: gold
consumers:
  - username: demo-app
    custom_id: app-0001
    keyauth_credentials:
      - key: demo-key-0123456789
    groups:
      - name: gold
  - username: other-app
    acls:
      - group: readers
`;
