// Load Country nodes: A country or territory by ISO 3166-1 alpha-3 code; WLD and ROW are the USGS 'World total' and 'Other countries' aggregates (aggregate=True).
// Parameters: $rows = [{id: "country:...", props: {id: "country:...", kind: "Country", name: ..., source: ..., ...}}]
//   one map per node; props holds the id and every attribute of the node
//   (see src/minerals_graph/schema.py).
// Idempotent: MERGE on the :MGNode id, then SET = (a second load changes no counts): the node's
//   properties become exactly the graph's (a property the graph no longer has is removed).
// Run by: minerals-graph neo4j load   (batches of 1,000 rows; only new and changed nodes)
UNWIND $rows AS row
MERGE (n:MGNode:Country {id: row.id})
SET n = row.props
