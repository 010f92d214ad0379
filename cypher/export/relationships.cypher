// Every relationship of the minerals-graph, for `minerals-graph neo4j export`.
// Parameters: $skip, $limit (paging).
// Run by: minerals-graph neo4j export, and by neo4j load to compare the database with the graph.
MATCH (a:MGNode)-[r]->(b:MGNode)
RETURN a.id AS source_id, b.id AS target_id, type(r) AS type, properties(r) AS props
ORDER BY r.key, source_id, target_id, type
SKIP $skip LIMIT $limit
