// Every node of the minerals-graph, for `minerals-graph neo4j export` (import back into networkx).
// Parameters: $skip, $limit (paging).
// Run by: minerals-graph neo4j export, and by neo4j load to compare the database with the graph.
MATCH (n:MGNode)
RETURN n.id AS id, labels(n) AS labels, properties(n) AS props
ORDER BY id
SKIP $skip LIMIT $limit
