// n8n's own logger would print every node error the tests provoke on purpose; the tests assert them.
process.env.N8N_LOG_LEVEL = process.env.N8N_LOG_LEVEL || 'silent';
