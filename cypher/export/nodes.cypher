// Every node of the minerals-graph, for `minerals-graph neo4j export` (import back into networkx).
// Parameters: $skip, $limit (paging).
// Example: MATCH … with skip 0, limit 10000.
MATCH (n:MGNode)
RETURN n.id AS id, labels(n) AS labels, properties(n) AS props
ORDER BY id
SKIP $skip LIMIT $limit
