package org.trainproof.fuzz;

/** Small hand-written logs of the formats that have no real file in ../shared/realdata/logs: {file name, content}. */
final class LogTemplates {
    private LogTemplates() {}

    static final String[][] ALL = {
        {"metrics.csv", "step,train_loss,lr,epoch\n0,4.15,0.0,0\n1,4.10,0.001,0\n2,3.9,0.001,0\n3,,0.001,0\n"},
        {"wandb-history.jsonl", "{\"_step\":0,\"loss\":4.1,\"_runtime\":1.5,\"_timestamp\":1700000000.1}\n"
                + "{\"_step\":1,\"loss\":4.0,\"lr\":0.001,\"_runtime\":2.5}\n{\"_step\":2,\"loss\":{\"a\":1},\"x\":\"str\"}\n"},
        {"train.log", "step 0: train loss 4.1589, val loss 4.1601\niter 0: loss 4.1523, time 1234.56ms, mfu -100.00%\n"
                + "iter 1: loss 4.0001, time 101.2ms, mfu 12.50%\nstep 250: train loss 2.0, val loss 2.1\n"},
        {"megatron.log", " [2024-01-01 00:00:00] iteration        1/    1000 | consumed samples:          256 | elapsed time per iteration (ms): 1234.5"
                + " | learning rate: 1.000E-05 | global batch size:   256 | lm loss: 1.082555E+01 | loss scale: 1.0 | grad norm: 12.345 |\n"
                + " validation loss at iteration 100 | lm loss value: 7.5 | lm loss PPL: 1808.04 |\n"},
        {"console.txt", " 10%|█         | 10/100 [00:01<00:09,  9.50it/s]\n{'loss': 4.1234, 'grad_norm': 1.5, 'learning_rate': 5e-05, 'epoch': 0.1}\n"
                + " 20%|██        | 20/100 [00:02<00:08,  9.50it/s]\n{'loss': np.float64(3.9), 'learning_rate': tensor(4e-05), 'epoch': 0.2}\n"},
        {"kv.log", "step=0 loss=4.15 lr=0.0\nstep: 1 loss: 4.1 lr: 1e-3\nit=2 loss=nan\nstep=-5 loss=4.0\n"},
        {"trainer_state.json", "{\"global_step\": 20, \"max_steps\": 100, \"logging_steps\": 10, \"log_history\": ["
                + "{\"loss\": 4.1, \"learning_rate\": 5e-05, \"epoch\": 0.1, \"step\": 10}, {\"eval_loss\": 4.0, \"step\": 20}]}"},
        {"golden.json", "{\"lm loss\": {\"start_step\": 0, \"end_step\": 4, \"step_interval\": 2, \"values\": [10.8, 10.7, 10.5]},"
                + " \"num-zeros\": {\"start_step\": 0, \"end_step\": 2, \"step_interval\": 1, \"values\": [1, 2, 3]}}"},
        {"main.log", "s:0 trl:10.98\ns:0 tel:10.97\ns:1 trl:10.5 lr:0.0006 norm:1.2\n"},
        {"modded.txt", "import os\nprint('x')\n====\nstep:0/1770 val_loss:10.8258 train_time:0ms step_avg:nanms\n"
                + "step:1/1770 train_time:23ms step_avg:nanms\n"},
        {"mlflow.txt", "1700000000000 4.1 0\n1700000001000 4.0 1\n"},
    };
}
