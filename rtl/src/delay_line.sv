// A chain of Depth registers: q_o is d_i delayed by Depth clock cycles (Depth = 0: a wire). Every
// stage is its own register, cleared by the asynchronous reset. The arrays skew their row and column
// lanes with it (lane r or c delayed r or c cycles; rtl/README.md has the timing contract).
// The stages are separate registers in generate blocks, not one unpacked array written in a loop:
// Yosys 0.23 would read such an array as a memory, which cannot take an asynchronous reset.
module delay_line #(
    parameter int Width = 1,
    parameter int Depth = 1
) (
    input  logic             clk_i,
    input  logic             rst_ni,
    input  logic [Width-1:0] d_i,
    output logic [Width-1:0] q_o
);
  if (Width < 1) begin : g_bad_width
    $error("delay_line: Width must be at least 1");
  end
  if (Depth < 0) begin : g_bad_depth
    $error("delay_line: Depth must be at least 0");
  end

  if (Depth == 0) begin : g_wire
    // No register: the clock and reset are not used.
    logic unused_clk_rst;
    assign unused_clk_rst = clk_i ^ rst_ni;
    assign q_o = d_i;
  end else begin : g_delay
    // Stage 0 takes d_i, stage i takes stage i-1, stage Depth-1 drives q_o.
    for (genvar i = 0; i < Depth; i++) begin : g_stage
      logic [Width-1:0] stage_q;
      if (i == 0) begin : g_first
        always_ff @(posedge clk_i or negedge rst_ni) begin
          if (!rst_ni) stage_q <= '0;
          else stage_q <= d_i;
        end
      end else begin : g_next
        always_ff @(posedge clk_i or negedge rst_ni) begin
          if (!rst_ni) stage_q <= '0;
          else stage_q <= g_stage[i-1].stage_q;
        end
      end
    end
    assign q_o = g_stage[Depth-1].stage_q;
  end
endmodule
