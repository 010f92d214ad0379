// Load Commodity nodes: A mineral commodity (USGS MCS chapter) or a member of a grouped one (individual rare earths, platinum-group metals).
// Parameters: $rows = [{id: "commodity:...", props: {id: "commodity:...", kind: "Commodity", name: ..., source: ..., ...}}]
//   one map per node; props holds the id and every attribute of the node
//   (see src/minerals_graph/schema.py).
// Idempotent: MERGE on the :MGNode id, then SET = (a second load changes no counts): the node's
//   properties become exactly the graph's (a property the graph no longer has is removed).
// Run by: minerals-graph neo4j load   (batches of 1,000 rows; only new and changed nodes)
UNWIND $rows AS row
MERGE (n:MGNode:Commodity {id: row.id})
SET n = row.props
