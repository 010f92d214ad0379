// Every relationship of the minerals-graph, for `minerals-graph neo4j export`.
// Parameters: $skip, $limit (paging).
MATCH (a:MGNode)-[r]->(b:MGNode)
RETURN a.id AS source_id, b.id AS target_id, type(r) AS type, properties(r) AS props
ORDER BY r.key
SKIP $skip LIMIT $limit
