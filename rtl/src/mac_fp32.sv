// FP32 multiply-add unit of the baseline (docs/architecture.md section 3): acc <- acc + a*w as two IEEE-754 binary32
// operations, each rounded to nearest, ties to even; never fused (this is common/numerics.h
// fp32_mac). Subnormal inputs and outputs are handled in full (no flush to zero); overflow rounds to
// infinity. The one documented difference from a CPU: every NaN result is the canonical quiet NaN
// 32'h7fc00000 (payloads are not propagated); the harness compares NaN results by class only.
// ovf_o is sticky until clear: some addition or product overflowed to infinity from finite operands.
module mac_fp32 (
    input  logic        clk_i,
    input  logic        rst_ni,
    input  logic        clear_i,     // with en_i: acc <- init + a*w; without: acc <- init
    input  logic        en_i,
    input  logic [31:0] a_i,
    input  logic [31:0] w_i,
    input  logic [31:0] init_i,      // value a cleared sum starts from: +0, or a partial sum
    output logic [31:0] acc_o,
    output logic        ovf_o,
    output logic [31:0] next_o,      // combinational: acc after this edge
    output logic        step_ovf_o   // combinational: this step overflows to infinity
);
  localparam logic [31:0] QNaN = 32'h7fc00000;

  // Round a normalised significand to binary32 and pack it. `sig` holds the value with the leading
  // one (if any) at bit 26 and the guard/round bits below bit 3; bit 0 is sticky. `exp` is the
  // biased exponent the leading bit would have (may be <= 0 for subnormal results or >= 255).
  function automatic logic [31:0] round_pack(input logic sign, input logic signed [11:0] exp,
                                             input logic [26:0] sig_in);
    logic [26:0] sig;
    logic signed [11:0] e;
    logic [11:0] shift;
    logic sticky;
    logic [30:0] mag;
    logic round_up;
    sig = sig_in;
    e = exp;
    if (e < 12'sd1) begin
      // Subnormal: shift right until the exponent is 1, folding lost bits into sticky.
      shift = 12'(12'sd1 - e);
      if (shift > 12'd26) begin
        sticky = |sig;
        sig = '0;
      end else begin
        sticky = 1'b0;
        for (int i = 0; i < 27; i++) begin
          if (i < 32'(shift) && sig[i]) sticky = 1'b1;
        end
        sig = sig >> shift;
      end
      sig[0] = sig[0] | sticky;
      e = 12'sd1;
    end
    if (e >= 12'sd255) begin
      round_pack = {sign, 8'hff, 23'd0};
    end else begin
      // Exponent field is 0 when the leading bit is gone (subnormal); adding the round bit to the
      // packed {exp, frac} carries correctly into the exponent (subnormal->normal, max->infinity).
      mag = {(sig[26] ? e[7:0] : 8'd0), sig[25:3]};
      round_up = sig[2] & (sig[1] | sig[0] | sig[3]);
      mag = mag + 31'(round_up);
      round_pack = {sign, mag};
    end
  endfunction

  function automatic logic [31:0] fp_mul(input logic [31:0] x, input logic [31:0] y);
    logic sign;
    logic [7:0] ex, ey;
    logic [23:0] mx, my;
    logic [47:0] p;
    logic [5:0] lz;
    logic found;
    logic signed [11:0] e;
    logic [47:0] pn;
    logic [7:0] ex_eff, ey_eff;
    logic x_nan, y_nan, x_inf, y_inf, x_zero, y_zero;
    sign = x[31] ^ y[31];
    ex = x[30:23];
    ey = y[30:23];
    x_nan = (ex == 8'hff) && (x[22:0] != 0);
    y_nan = (ey == 8'hff) && (y[22:0] != 0);
    x_inf = (ex == 8'hff) && (x[22:0] == 0);
    y_inf = (ey == 8'hff) && (y[22:0] == 0);
    x_zero = (x[30:0] == 0);
    y_zero = (y[30:0] == 0);
    if (x_nan || y_nan || (x_inf && y_zero) || (y_inf && x_zero)) begin
      fp_mul = QNaN;
    end else if (x_inf || y_inf) begin
      fp_mul = {sign, 8'hff, 23'd0};
    end else if (x_zero || y_zero) begin
      fp_mul = {sign, 31'd0};
    end else begin
      mx = {ex != 0, x[22:0]};
      my = {ey != 0, y[22:0]};
      p = 48'(mx) * 48'(my);
      lz = '0;
      found = 1'b0;
      for (int i = 47; i >= 0; i--) begin
        if (!found && p[i]) begin
          found = 1'b1;
          lz = 6'(47 - i);
        end
      end
      pn = p << lz;
      // Leading one at bit 47 of pn; with both hidden bits at 46 the exponent is ex+ey-127 (+1 for 47).
      // Subnormal operands have the exponent of the smallest normal (1) without the hidden bit.
      ex_eff = (ex == 8'd0) ? 8'd1 : ex;
      ey_eff = (ey == 8'd0) ? 8'd1 : ey;
      e = 12'(ex_eff) + 12'(ey_eff) - 12'sd127 + 12'sd1 - 12'(lz);
      fp_mul = round_pack(sign, e, {pn[47:22], |pn[21:0]});
    end
  endfunction

  function automatic logic [31:0] fp_add(input logic [31:0] x_in, input logic [31:0] y_in);
    logic [31:0] x, y;
    logic x_nan, y_nan, x_inf, y_inf;
    logic [7:0] ex, ey;
    logic [26:0] mx, my, my_shift;
    logic [7:0] d;
    logic sticky, sub;
    logic [27:0] s;
    logic signed [11:0] e;
    logic [4:0] lz;
    logic found;
    logic [26:0] sig;
    x_nan = (x_in[30:23] == 8'hff) && (x_in[22:0] != 0);
    y_nan = (y_in[30:23] == 8'hff) && (y_in[22:0] != 0);
    x_inf = (x_in[30:23] == 8'hff) && (x_in[22:0] == 0);
    y_inf = (y_in[30:23] == 8'hff) && (y_in[22:0] == 0);
    if (x_nan || y_nan || (x_inf && y_inf && (x_in[31] != y_in[31]))) begin
      fp_add = QNaN;
    end else if (x_inf) begin
      fp_add = x_in;
    end else if (y_inf) begin
      fp_add = y_in;
    end else begin
      // |x| >= |y| after the swap.
      if (x_in[30:0] >= y_in[30:0]) begin
        x = x_in;
        y = y_in;
      end else begin
        x = y_in;
        y = x_in;
      end
      ex = (x[30:23] == 0) ? 8'd1 : x[30:23];
      ey = (y[30:23] == 0) ? 8'd1 : y[30:23];
      mx = {x[30:23] != 0, x[22:0], 3'b000};
      my = {y[30:23] != 0, y[22:0], 3'b000};
      d = ex - ey;
      if (d > 8'd26) begin
        sticky = |my;
        my_shift = '0;
      end else begin
        sticky = 1'b0;
        for (int i = 0; i < 27; i++) begin
          if (i < 32'(d) && my[i]) sticky = 1'b1;
        end
        my_shift = my >> d;
      end
      my_shift[0] = my_shift[0] | sticky;
      sub = x[31] ^ y[31];
      s = sub ? ({1'b0, mx} - {1'b0, my_shift}) : ({1'b0, mx} + {1'b0, my_shift});
      if (s == 0) begin
        // Exact zero: +0, except (-0) + (-0) = -0 (round to nearest).
        fp_add = {x[31] & y[31], 31'd0};
      end else if (s[27]) begin
        // Carry out: shift right one, keeping sticky.
        fp_add = round_pack(x[31], 12'(ex) + 12'sd1, {s[27:2], s[1] | s[0]});
      end else begin
        // Normalise left, but never below exponent 1 (the result is then subnormal).
        lz = '0;
        found = 1'b0;
        for (int i = 26; i >= 0; i--) begin
          if (!found && s[i]) begin
            found = 1'b1;
            lz = 5'(26 - i);
          end
        end
        e = 12'(ex);
        if (12'(lz) > e - 12'sd1) lz = 5'(e - 12'sd1);
        sig = s[26:0] << lz;
        fp_add = round_pack(x[31], e - 12'(lz), sig);
      end
    end
  endfunction

  // Sign-free views: infinity is exponent 255 with a zero fraction, finite is exponent below 255.
  function automatic logic is_inf(input logic [30:0] v);
    is_inf = (v == 31'h7f800000);
  endfunction
  function automatic logic is_finite(input logic [7:0] exp_field);
    is_finite = (exp_field != 8'hff);
  endfunction

  logic [31:0] acc_q, base, product, sum;
  logic ovf_q, step_ovf;
  assign base = clear_i ? init_i : acc_q;
  assign product = fp_mul(a_i, w_i);
  assign sum = fp_add(base, product);
  assign step_ovf = (is_finite(a_i[30:23]) && is_finite(w_i[30:23]) && is_inf(product[30:0])) ||
                    (is_finite(base[30:23]) && is_finite(product[30:23]) && is_inf(sum[30:0]));

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      acc_q <= '0;
      ovf_q <= 1'b0;
    end else begin
      acc_q <= en_i ? sum : base;
      ovf_q <= (clear_i ? 1'b0 : ovf_q) | (en_i & step_ovf);
    end
  end

  assign acc_o      = acc_q;
  assign ovf_o      = ovf_q;
  assign next_o     = en_i ? sum : base;
  assign step_ovf_o = en_i & step_ovf;
endmodule
