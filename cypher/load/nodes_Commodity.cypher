// Load Commodity nodes: A mineral commodity (USGS MCS chapter) or a member of a grouped one (individual rare earths, platinum-group metals).
// Parameters: $rows = [{id: "commodity:...", props: {kind: "Commodity", name: ..., source: ..., ...}}]
//   one map per node; props holds every attribute of the node (see src/minerals_graph/schema.py).
// Idempotent: MERGE on the :MGNode id, then SET += (a second load changes no counts).
// Example: minerals-graph neo4j load   (sends batches of 1,000 rows)
UNWIND $rows AS row
MERGE (n:MGNode:Commodity {id: row.id})
SET n += row.props
