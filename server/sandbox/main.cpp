// paydesk-sandbox: plays the payment channels for development, tests and demos.
int main()
{
    return 0;
}
