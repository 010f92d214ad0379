// Load Facility nodes: A processing plant: concentrator, smelter, refinery, separation, metal/alloy, magnet, precursor/cathode, anode or recycling plant.
// Parameters: $rows = [{id: "facility:...", props: {id: "facility:...", kind: "Facility", name: ..., source: ..., ...}}]
//   one map per node; props holds the id and every attribute of the node
//   (see src/minerals_graph/schema.py).
// Idempotent: MERGE on the :MGNode id, then SET = (a second load changes no counts): the node's
//   properties become exactly the graph's (a property the graph no longer has is removed).
// Run by: minerals-graph neo4j load   (batches of 1,000 rows; only new and changed nodes)
UNWIND $rows AS row
MERGE (n:MGNode:Facility {id: row.id})
SET n = row.props
